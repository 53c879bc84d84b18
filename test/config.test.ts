import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { configReference, loadConfig } from '../src/config.ts';
import { isFraudstreamError } from '../src/errors.ts';

describe('config', () => {
  it('has defaults for every key and is frozen', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.log.backend, 'embedded');
    assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(c.server.port, 8080);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.kafka));
  });

  it('maps environment variables onto keys with type coercion', () => {
    const c = loadConfig({
      env: {
        FRAUDSTREAM_KAFKA_BROKERS: 'a:9092, b:9093',
        FRAUDSTREAM_ENGINE_COMMIT_INTERVAL_MS: '250',
        FRAUDSTREAM_LAKE_ENABLED: 'false',
        FRAUDSTREAM_KAFKA_SASL_MECHANISM: 'PLAIN',
      },
    });
    assert.deepEqual(c.kafka.brokers, ['a:9092', 'b:9093']);
    assert.equal(c.engine.commitIntervalMs, 250);
    assert.equal(c.lake.enabled, false);
    assert.equal(c.kafka.saslMechanism, 'PLAIN');
  });

  it('layers file < env < overrides', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fs-config-'));
    const file = path.join(dir, 'c.yaml');
    writeFileSync(file, 'server:\n  port: 7000\n  host: 0.0.0.0\nengine:\n  applicationId: fromfile\n');
    const c = loadConfig({
      file,
      env: { FRAUDSTREAM_SERVER_PORT: '7001' },
      overrides: { engine: { applicationId: 'cli' } },
    });
    assert.equal(c.server.port, 7001);
    assert.equal(c.server.host, '0.0.0.0');
    assert.equal(c.engine.applicationId, 'cli');
  });

  it('fails naming the key, the source and what was expected', () => {
    assert.throws(
      () => loadConfig({ env: { FRAUDSTREAM_ENGINE_COMMIT_INTERVAL_MS: 'soon' } }),
      (err: unknown) =>
        isFraudstreamError(err, 'FS_CONFIG_INVALID') &&
        /engine\.commitIntervalMs/.test(err.message) &&
        /FRAUDSTREAM_ENGINE_COMMIT_INTERVAL_MS/.test(err.message) &&
        /integer/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ env: { FRAUDSTREAM_LOG_BACKEND: 'redis' } }),
      (err: unknown) =>
        isFraudstreamError(err, 'FS_CONFIG_INVALID') && /"embedded" \| "kafka"/.test(err.message),
    );
  });

  it('names the environment variable, not the command line, when overrides touch other keys', () => {
    assert.throws(
      () => loadConfig({ env: { FRAUDSTREAM_LOG_FSYNC: 'sometimes' }, overrides: { server: { port: 1 } } }),
      (err: unknown) =>
        isFraudstreamError(err, 'FS_CONFIG_INVALID') && /env FRAUDSTREAM_LOG_FSYNC/.test(err.message),
    );
  });

  it('rejects unknown keys in a file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fs-config-'));
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ engine: { comitIntervalMs: 5 } }));
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (err: unknown) => isFraudstreamError(err, 'FS_CONFIG_INVALID') && /comitIntervalMs/.test(err.message),
    );
  });

  it('docs/configuration.md lists every key (regenerate with `fraudstream config --docs`)', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    assert.ok(doc.includes(configReference()), 'docs/configuration.md is out of date with src/config.ts');
  });
});
