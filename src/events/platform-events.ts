/**
 * The event families of seed 003's event-driven architecture: document, task, agent, analytics,
 * notification, quality, business insight and system health. Each shares one envelope
 * (`event_id`, `event_type`, `timestamp`, `source`, `correlation_id`, `metadata`) stamped by
 * `EventFactory`; `event_type` names the family and action (`document_uploaded`, `task_failed`, ...).
 */
import { type Static, type TLiteral, type TProperties, type TUnion, Type } from '@sinclair/typebox';

/** A union of string literals that keeps the literal types (a plain `.map` widens them to string). */
export function literals<const T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(values.map((v) => Type.Literal(v))) as TUnion<TLiteral<T[number]>[]>;
}

const Envelope = {
  event_id: Type.String({ minLength: 1 }),
  timestamp: Type.Integer({ minimum: 0, description: 'ms since the epoch, UTC' }),
  source: Type.String({ minLength: 1 }),
  /** ties together every event caused by one originating request */
  correlation_id: Type.String({ minLength: 1 }),
  metadata: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
};

function family<const T extends readonly string[], P extends TProperties>(
  id: string,
  eventTypes: T,
  fields: P,
) {
  return Type.Object({ ...Envelope, event_type: literals(eventTypes), ...fields }, { $id: id });
}

export const DOCUMENT_EVENT_TYPES = [
  'document_uploaded',
  'document_processed',
  'document_analyzed',
  'document_failed',
] as const;
export const DocumentEvent = family('DocumentEvent', DOCUMENT_EVENT_TYPES, {
  document_id: Type.String({ minLength: 1 }),
  status: literals(['pending', 'processing', 'completed', 'failed'] as const),
  file_path: Type.Optional(Type.String()),
  file_size_bytes: Type.Optional(Type.Integer({ minimum: 0 })),
  document_type: Type.Optional(Type.String()),
});
export type DocumentEvent = Static<typeof DocumentEvent>;

export const TASK_EVENT_TYPES = ['task_created', 'task_started', 'task_completed', 'task_failed'] as const;
export const TaskEvent = family('TaskEvent', TASK_EVENT_TYPES, {
  task_id: Type.String({ minLength: 1 }),
  task_type: Type.String({ minLength: 1 }),
  status: literals(['pending', 'running', 'completed', 'failed'] as const),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  assigned_agent: Type.Optional(Type.String()),
  duration_ms: Type.Optional(Type.Number({ minimum: 0 })),
  error: Type.Optional(Type.String()),
});
export type TaskEvent = Static<typeof TaskEvent>;

export const AGENT_EVENT_TYPES = [
  'agent_task_started',
  'agent_task_completed',
  'agent_error',
  'agent_health',
] as const;
export const AgentEvent = family('AgentEvent', AGENT_EVENT_TYPES, {
  agent_id: Type.String({ minLength: 1 }),
  agent_type: Type.String({ minLength: 1 }),
  status: literals(['idle', 'busy', 'error', 'healthy', 'degraded'] as const),
  task_id: Type.Optional(Type.String()),
  result: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  error: Type.Optional(Type.String()),
  duration_ms: Type.Optional(Type.Number({ minimum: 0 })),
});
export type AgentEvent = Static<typeof AgentEvent>;

export const ANALYTICS_EVENT_TYPES = ['metrics', 'performance_data', 'system_stats'] as const;
export const AnalyticsEvent = family('AnalyticsEvent', ANALYTICS_EVENT_TYPES, {
  metric_name: Type.String({ minLength: 1 }),
  metric_value: Type.Number(),
  metric_kind: literals(['counter', 'gauge', 'histogram'] as const),
  unit: Type.Optional(Type.String()),
  dimensions: Type.Record(Type.String(), Type.String()),
});
export type AnalyticsEvent = Static<typeof AnalyticsEvent>;

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const NOTIFICATION_EVENT_TYPES = ['user_notification', 'alert', 'system_update'] as const;
export const NotificationEvent = family('NotificationEvent', NOTIFICATION_EVENT_TYPES, {
  notification_id: Type.String({ minLength: 1 }),
  recipient: Type.String({ minLength: 1 }),
  channel: literals(['email', 'slack', 'webhook', 'sms', 'in_app', 'pagerduty'] as const),
  severity: literals(SEVERITIES),
  title: Type.String({ minLength: 1 }),
  message: Type.String(),
});
export type NotificationEvent = Static<typeof NotificationEvent>;

export const QUALITY_EVENT_TYPES = ['quality_check_passed', 'quality_check_failed'] as const;
export const QualityEvent = family('QualityEvent', QUALITY_EVENT_TYPES, {
  check_id: Type.String({ minLength: 1 }),
  target_id: Type.String({ minLength: 1 }),
  check_type: Type.String({ minLength: 1 }),
  passed: Type.Boolean(),
  score: Type.Number({ minimum: 0, maximum: 1 }),
  issues: Type.Array(Type.String()),
});
export type QualityEvent = Static<typeof QualityEvent>;

export const BUSINESS_INSIGHT_EVENT_TYPES = ['business_insight'] as const;
export const BusinessInsightEvent = family('BusinessInsightEvent', BUSINESS_INSIGHT_EVENT_TYPES, {
  insight_id: Type.String({ minLength: 1 }),
  insight_type: Type.String({ minLength: 1 }),
  title: Type.String({ minLength: 1 }),
  summary: Type.String(),
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  impact: literals(['low', 'medium', 'high'] as const),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type BusinessInsightEvent = Static<typeof BusinessInsightEvent>;

export const SYSTEM_HEALTH_EVENT_TYPES = ['component_health', 'performance_metrics', 'alert_events'] as const;
export const SystemHealthEvent = family('SystemHealthEvent', SYSTEM_HEALTH_EVENT_TYPES, {
  component: Type.String({ minLength: 1 }),
  status: literals(['healthy', 'degraded', 'unhealthy'] as const),
  message: Type.String(),
  metrics: Type.Record(Type.String(), Type.Number()),
});
export type SystemHealthEvent = Static<typeof SystemHealthEvent>;

/** Family name → schema, for routing and validation by family. */
export const PLATFORM_EVENT_FAMILIES = {
  document: DocumentEvent,
  task: TaskEvent,
  agent: AgentEvent,
  analytics: AnalyticsEvent,
  notification: NotificationEvent,
  quality: QualityEvent,
  business_insight: BusinessInsightEvent,
  system_health: SystemHealthEvent,
} as const;
export type PlatformEventFamily = keyof typeof PLATFORM_EVENT_FAMILIES;

export type PlatformEvent =
  | DocumentEvent
  | TaskEvent
  | AgentEvent
  | AnalyticsEvent
  | NotificationEvent
  | QualityEvent
  | BusinessInsightEvent
  | SystemHealthEvent;

/** Envelope fields the factory stamps; callers supply everything else. */
export type EnvelopeField = 'event_id' | 'timestamp' | 'source' | 'correlation_id' | 'metadata';
