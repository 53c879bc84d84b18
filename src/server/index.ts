export { buildServer } from './app.ts';
export { requireToken } from './auth.ts';
export type * from './types.ts';
export * from './monitor/monitor.ts';
