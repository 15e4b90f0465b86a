#!/usr/bin/env node
// The `firedrill` command. The sources are TypeScript; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
