import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedLog } from '../../../src/log/index.ts';
import { runLogConformance } from './suite.ts';

runLogConformance('EmbeddedLog', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-conformance-'));
  const log = await EmbeddedLog.open({ dir, fsync: 'never', maintenanceIntervalMs: 0 });
  return {
    log,
    cleanup: async () => {
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
