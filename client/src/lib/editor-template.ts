// The scenario the editor starts from when there is no draft: small, valid and scoreable (a test,
// test/integration/editor-api.test.ts, dry-runs it), on the `shop` workload of the library.
export const TEMPLATE_ID = 'cart-bad-deploy';

export const SCENARIO_TEMPLATE = `# A pre-mortem as code: what breaks, when, how the system reacts, what good looks like.
# Reference: docs/scenario-format.md. Problems appear in the gutter as you type.
id: cart-bad-deploy
title: Cart v3.9 fails one request in five
summary: >-
  A cart release adds a bug on the add-to-basket path. Errors climb within two minutes;
  rolling cart back fixes it, restarting it does not.
difficulty: easy
duration: 30m
objectives:
  - Connect an error alert to the deploy that preceded it.
  - Roll back first, debug later.
tags: [bad-deploy, template]
workload: shop
players:
  teams: [commerce]
briefing: |
  You are the commerce on-call for **shop**. It is a quiet Tuesday afternoon; the commerce
  release train has just shipped cart v3.9.
timeline:
  - at: 1m
    inject:
      id: cart-v3-9
      kind: bad-deploy
      service: cart
      version: v3.9.0
      errorRate: 0.2
      ramp: 1m
      description: cart v3.9 throws on baskets with a promo code.
  - at: 6m
    message: 'Support: "Customers say items vanish from their basket."'
branches:
  - id: restart-cart-trap
    description: A restart brings the same bad version back.
    when:
      action: { action: restart, service: cart, while: { faultActive: cart-v3-9 } }
    then:
      - trap: Restarted cart while v3.9 was live — a restart brings back the same version. Roll back instead.
  - id: still-broken
    when:
      notMitigatedBy: 15m
    then:
      - message: 'Commerce manager: "Still failing? What changed today?"'
      - hint: hint-deploys
hints:
  - id: hint-deploys
    text: Look at cart's deploy history — what went out just before the errors began?
    cost: 5
rootCause:
  faults: [cart-v3-9]
  summary: cart v3.9 throws on baskets with a promo code; v3.8 did not.
expectations:
  detection:
    alerts: [CartErrorsHigh]
    services: [cart]
    ackWithin: 5m
    declareWithin: 10m
  escalation:
    severity: SEV2
  mitigation:
    within: 10m
  communication:
    firstUpdateWithin: 15m
stop:
  - when: { at: 30m }
    outcome: unresolved
    reason: Time is up.
`;
