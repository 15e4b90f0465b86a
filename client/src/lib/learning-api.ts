// The learning loop's REST routes (docs/protocol.md): the risk register (admin token), overdue
// action items across game days (admin token) and the export of a scenario (public).
import type { Static } from 'typebox';
import type { CreateRiskBody, ExportQuery, ExportResult, RiskOut, RiskRegister, UpdateRiskBody } from '../../../server/protocol/rest-learning.ts';
import type { ActionItemsAcrossSessions } from '../../../server/protocol/rest.ts';
import { request } from './api.ts';

export type RiskInfo = RiskOut;
export type Register = RiskRegister;
export type NewRisk = CreateRiskBody;
export type RiskChange = UpdateRiskBody;
export type Exported = Static<typeof ExportResult>;
export type OverdueItems = Static<typeof ActionItemsAcrossSessions>;

const json = (body: unknown) => JSON.stringify(body);

export function getRegister(token: string, staleAfterDays?: number): Promise<Register> {
  return request<Register>(`/api/risks${staleAfterDays ? `?staleAfterDays=${staleAfterDays}` : ''}`, { token });
}

export function addRisk(token: string, body: NewRisk): Promise<RiskInfo> {
  return request<RiskInfo>('/api/risks', { method: 'POST', token, body: json(body) });
}

export function updateRisk(token: string, id: string, body: RiskChange): Promise<RiskInfo> {
  return request<RiskInfo>(`/api/risks/${encodeURIComponent(id)}`, { method: 'PATCH', token, body: json(body) });
}

export function deleteRisk(token: string, id: string): Promise<void> {
  return request<void>(`/api/risks/${encodeURIComponent(id)}`, { method: 'DELETE', token });
}

export function overdueActionItems(token: string): Promise<OverdueItems> {
  return request<OverdueItems>('/api/action-items?overdue=true&limit=20', { token });
}

export function exportScenario(id: string, format: Static<typeof ExportQuery>['format']): Promise<Exported> {
  return request<Exported>(`/api/scenarios/${encodeURIComponent(id)}/export?format=${format}`);
}
