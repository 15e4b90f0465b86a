// Remediation actions on the selected service; the dangerous ones ask for confirmation first.
import { useState } from 'react';
import type { ServiceView } from '../../../server/engine/session/view.ts';
import type { ActionSpec, RemediationKind } from '../../../server/engine/actions/schema.ts';
import type { LiveSession } from '../lib/live.ts';
import { useRequest } from '../lib/hooks.ts';
import { DRAIN_ZONE, REMEDIATION_INFO, type RemediationInfo } from '../lib/catalog.ts';
import { ConfirmDialog, Result, toast } from './ui.tsx';
import { describeAction } from '../lib/describe.ts';

type Kind = keyof typeof REMEDIATION_INFO;

export function Remediation({ service, zones, live, canAct }: { service: ServiceView; zones: string[]; live?: LiveSession; canAct: boolean }) {
  const req = useRequest();
  const [pending, setPending] = useState<{ action: ActionSpec; info: RemediationInfo }>();
  const [count, setCount] = useState(1);
  const [rps, setRps] = useState(500);
  const [fraction, setFraction] = useState(20);
  const [rolling, setRolling] = useState(true);
  const flags = Object.keys(service.flags);
  const [flag, setFlag] = useState('');
  const [zone, setZone] = useState('');
  const [undo, setUndo] = useState(false);
  const pickFlag = flag && flags.includes(flag) ? flag : flags[0] ?? '';

  const build = (kind: Kind): ActionSpec => {
    const s = service.id;
    switch (kind) {
      case 'restart':
        return { action: 'restart', service: s, rolling };
      case 'scale-out':
      case 'scale-in':
        return { action: kind, service: s, count };
      case 'toggle-flag':
        return { action: 'toggle-flag', service: s, flag: pickFlag, enabled: !service.flags[pickFlag] };
      case 'rate-limit':
        return { action: 'rate-limit', service: s, rps };
      case 'shed-load':
        return { action: 'shed-load', service: s, fraction: Math.min(1, Math.max(0, fraction / 100)) };
      default:
        return { action: kind, service: s } as ActionSpec;
    }
  };

  const send = (action: ActionSpec) =>
    req.run(async () => {
      if (!live) return { ok: false, code: 'client/not-connected', message: 'not connected' };
      const o = await live.act(action);
      toast(describeAction(action), o);
      return o;
    });

  const ask = (action: ActionSpec, info: RemediationInfo) => (info.dangerous ? setPending({ action, info }) : void send(action));

  const kinds = (Object.keys(REMEDIATION_INFO) as Kind[]).filter((k) => {
    const info = REMEDIATION_INFO[k];
    if (info.kinds && !info.kinds.includes(service.kind)) return false;
    if (k === 'toggle-flag' && !flags.length) return false;
    return true;
  });

  return (
    <div className="remediation">
      <p className="muted small-text">
        {service.id} · {service.kind} · owned by <strong>{service.team}</strong> · {service.version} · {service.replicas} replicas
        {flags.length > 0 && <> · flags: {flags.map((f) => `${f}=${service.flags[f] ? 'on' : 'off'}`).join(', ')}</>}
      </p>
      <div className="remediation-grid">
        {kinds.map((k) => {
          const info = REMEDIATION_INFO[k];
          return (
            <div key={k} className={`rem ${info.dangerous ? 'dangerous' : ''}`}>
              <button type="button" className={info.dangerous ? 'warn' : ''} disabled={!canAct || req.busy || (k === 'toggle-flag' && !pickFlag)} onClick={() => ask(build(k), info)} title={info.help} aria-describedby={`help-${k}`}>
                {info.label}
                {k === 'toggle-flag' && pickFlag ? ` ${pickFlag} ${service.flags[pickFlag] ? 'off' : 'on'}` : ''}
                {info.dangerous ? ' …' : ''}
              </button>
              <span id={`help-${k}`} className="sr-only">{info.help}</span>
              {info.params.includes('count') && (
                <label className="inline">replicas <input type="number" min={1} max={100} value={count} onChange={(e) => setCount(Math.max(1, Number(e.target.value) || 1))} /></label>
              )}
              {info.params.includes('rps') && (
                <label className="inline">rps <input type="number" min={0} step={50} value={rps} onChange={(e) => setRps(Math.max(0, Number(e.target.value) || 0))} /></label>
              )}
              {info.params.includes('fraction') && (
                <label className="inline">% <input type="number" min={0} max={100} value={fraction} onChange={(e) => setFraction(Math.max(0, Math.min(100, Number(e.target.value) || 0)))} /></label>
              )}
              {info.params.includes('rolling') && (
                <label className="inline"><input type="checkbox" checked={rolling} onChange={(e) => setRolling(e.target.checked)} /> rolling</label>
              )}
              {info.params.includes('flag') && flags.length > 1 && (
                <label className="inline">flag <select value={pickFlag} onChange={(e) => setFlag(e.target.value)}>{flags.map((f) => <option key={f}>{f}</option>)}</select></label>
              )}
            </div>
          );
        })}
        <div className="rem dangerous">
          <button type="button" className="warn" disabled={!canAct || req.busy || !(zone || zones[0])} onClick={() => ask({ action: 'drain-zone', zone: zone || zones[0], ...(undo ? { undo: true } : {}) }, DRAIN_ZONE)}>
            {undo ? 'Undrain zone …' : 'Drain zone …'}
          </button>
          {zones.length ? (
            <label className="inline">zone <select value={zone || zones[0]} onChange={(e) => setZone(e.target.value)}>{zones.map((z) => <option key={z}>{z}</option>)}</select></label>
          ) : (
            <label className="inline">zone <input value={zone} size={4} onChange={(e) => setZone(e.target.value)} /></label>
          )}
          <label className="inline"><input type="checkbox" checked={undo} onChange={(e) => setUndo(e.target.checked)} /> undo</label>
        </div>
      </div>
      <Result outcome={req.outcome} />
      <ConfirmDialog
        open={!!pending}
        title={pending ? `${pending.info.label}: are you sure?` : ''}
        confirmLabel={pending ? pending.info.label : 'Confirm'}
        onCancel={() => setPending(undefined)}
        onConfirm={() => {
          const p = pending;
          setPending(undefined);
          if (p) void send(p.action);
        }}
      >
        {pending && (
          <>
            <p><strong>{describeAction(pending.action)}</strong></p>
            <p>{pending.info.help}</p>
            <p className="muted">This affects customers while it runs. Is it what the evidence says?</p>
          </>
        )}
      </ConfirmDialog>
    </div>
  );
}

export type { RemediationKind };
