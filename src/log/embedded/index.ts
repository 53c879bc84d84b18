export type { EmbeddedLogLogger, EmbeddedLogOptions, FsyncPolicy } from './broker.ts';
export { EmbeddedLog } from './embedded-log.ts';
