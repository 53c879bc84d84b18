import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFraudstreamError } from '../../src/errors.ts';
import { EventFactory, PLATFORM_EVENT_FAMILIES, validator } from '../../src/events/index.ts';

function fixedFactory() {
  let n = 0;
  return new EventFactory({
    source: 'document_service',
    clock: () => 1_700_000_000_000 + n,
    newId: () => `ev-${++n}`,
  });
}

test('the factory stamps id, time, source and starts a correlation chain', () => {
  const events = fixedFactory();
  const uploaded = events.document({
    event_type: 'document_uploaded',
    document_id: 'doc_001',
    status: 'pending',
    file_path: '/uploads/document.pdf',
  });
  assert.equal(uploaded.event_id, 'ev-1');
  assert.equal(uploaded.source, 'document_service');
  assert.equal(uploaded.timestamp, 1_700_000_000_001);
  assert.equal(uploaded.correlation_id, 'ev-1');
  assert.deepEqual(uploaded.metadata, {});
  const task = events.task(
    { event_type: 'task_created', task_id: 'task_001', task_type: 'document_analysis', status: 'pending' },
    { causedBy: uploaded },
  );
  assert.equal(task.event_id, 'ev-2');
  assert.equal(task.correlation_id, 'ev-1');
  assert.equal(validator(PLATFORM_EVENT_FAMILIES.task).check(task), true);
});

test('withCorrelation and explicit ids win; every family can be created', () => {
  const events = fixedFactory().withCorrelation('req-42');
  const all = [
    events.agent({ event_type: 'agent_health', agent_id: 'a1', agent_type: 'analyst', status: 'healthy' }),
    events.analytics({
      event_type: 'metrics',
      metric_name: 'orders',
      metric_value: 3,
      metric_kind: 'counter',
      dimensions: {},
    }),
    events.notification({
      event_type: 'alert',
      notification_id: 'n1',
      recipient: '#fraud',
      channel: 'slack',
      severity: 'high',
      title: 'Fraud',
      message: 'order O1',
    }),
    events.quality({
      event_type: 'quality_check_failed',
      check_id: 'q1',
      target_id: 'O1',
      check_type: 'schema',
      passed: false,
      score: 0.2,
      issues: ['x'],
    }),
    events.businessInsight({
      event_type: 'business_insight',
      insight_id: 'b1',
      insight_type: 'trend',
      title: 't',
      summary: 's',
      confidence: 0.9,
      impact: 'high',
      data: {},
    }),
    events.systemHealth({
      event_type: 'component_health',
      component: 'log',
      status: 'healthy',
      message: 'ok',
      metrics: { lag: 0 },
    }),
  ];
  for (const e of all) assert.equal(e.correlation_id, 'req-42');
  const explicit = events.document(
    { event_type: 'document_processed', document_id: 'd', status: 'completed' },
    { correlationId: 'other' },
  );
  assert.equal(explicit.correlation_id, 'other');
});

test('invalid fields are rejected with FS_SCHEMA_INVALID naming the field', () => {
  const events = fixedFactory();
  assert.throws(
    // @ts-expect-error status outside the allowed values
    () => events.task({ event_type: 'task_created', task_id: 't', task_type: 'x', status: 'exploded' }),
    (err: unknown) => isFraudstreamError(err, 'FS_SCHEMA_INVALID') && err.message.includes('/status'),
  );
  assert.throws(
    () => new EventFactory({ source: '' }),
    (err: unknown) => isFraudstreamError(err, 'FS_CONFIG_INVALID'),
  );
});
