export { buildServer } from './app.ts';
export { requireToken } from './auth.ts';
export * from './monitor/monitor.ts';
export type * from './types.ts';
