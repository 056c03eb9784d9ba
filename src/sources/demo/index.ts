// The demo source kind: simulated, deterministic metrics for trying release-guard without a monitoring stack.
import type { SourceKind } from '../kind.js';
import { DemoSource } from './demo-source.js';
import { DemoConfig } from './schema.js';

export { DEMO_BEHAVIOURS, DEMO_LABEL, type DemoBehaviour } from './behaviours.js';
export { DEMO_METRICS, type DemoMetric } from './healthy.js';
export { DemoConfig } from './schema.js';
export { DemoSource } from './demo-source.js';

/** Registered as `type: demo`. */
export const demoSource: SourceKind<typeof DemoConfig> = {
  type: 'demo',
  Config: DemoConfig,
  create: (name, config) => new DemoSource(name, config),
};
