// The transport declaration the composition root registers: kinds nr5g and lte, config schema, factory, doctor.
import { defineTransport } from '../transport.js';
import { createCellularTransport } from './cellular-transport.js';
import { CellularConfigSchema } from './config.js';
import { cellularDoctor } from './doctor.js';

export const cellularTransport = defineTransport({
  kind: ['nr5g', 'lte'],
  config: CellularConfigSchema,
  create: (ctx, config) => createCellularTransport(ctx, config),
  doctor: (config, ctx) => cellularDoctor(config, ctx),
});
