export { scoreTeam, leaderboard, timeliness, canElements, DIMENSIONS, DEFAULT_WEIGHTS, DEFAULT_TARGETS } from './score.ts';
export type { TeamScore, DimensionScore, Finding, Dimension, ScoreMetrics, LeaderboardRow, RunbookIndex } from './score.ts';
