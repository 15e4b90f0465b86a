// Which remediations clear a fault — one set of rules for the engine (when an action lands) and
// the perfect bot (which reads the scenario's answer).
import type { ActionSpec, ResolverRefSpec } from '../actions/schema.ts';
import { FAULT_CATALOG } from './catalog.ts';
import type { FaultSpec } from './schema.ts';

/** The scenario's `resolvedBy`, else the kind's defaults on the fault's own service. */
export function resolversOfSpec(spec: FaultSpec): ResolverRefSpec[] {
  if (spec.resolvedBy) {
    return spec.resolvedBy.map((r) => {
      // A drain of a partitioned zone names that zone even when the scenario leaves it out.
      if (r.action === 'drain-zone' && spec.kind === 'network-partition' && spec.zone && r.zone === undefined) {
        const { service: _service, ...rest } = r;
        return { ...rest, zone: spec.zone };
      }
      return { ...r, service: r.service ?? spec.service };
    });
  }
  let list: ResolverRefSpec[] = FAULT_CATALOG[spec.kind].resolvedBy.map((action) => ({ action, service: spec.service }));
  // A slow query issued by a feature's code path comes back after kill-query (which only holds it
  // off for a while, see remediation.ts): turning the feature off is what clears it.
  if (spec.kind === 'slow-query' && spec.flag) {
    list = list.filter((r) => r.action !== 'kill-query');
    list.push({ action: 'toggle-flag', service: spec.flag.service, flag: spec.flag.flag, enabled: false });
  }
  if (spec.kind === 'bad-config') for (const s of spec.services ?? []) list.push({ action: 'revert-config', service: s });
  if (spec.kind === 'network-partition' && spec.zone) {
    for (const r of list) if (r.action === 'drain-zone') { r.zone = spec.zone; delete r.service; }
  }
  return list;
}

/** Does this remediation clear a fault with these resolvers? */
export function actionResolves(a: ActionSpec, resolvers: readonly ResolverRefSpec[]): boolean {
  return resolvers.some((r) => {
    if (r.action !== a.action) return false;
    if (a.action === 'drain-zone') return r.zone === undefined || r.zone === a.zone;
    if (r.service !== undefined && 'service' in a && r.service !== a.service) return false;
    if (r.flag !== undefined && (a.action !== 'toggle-flag' || r.flag !== a.flag)) return false;
    if (r.enabled !== undefined && (a.action !== 'toggle-flag' || r.enabled !== a.enabled)) return false;
    return true;
  });
}
