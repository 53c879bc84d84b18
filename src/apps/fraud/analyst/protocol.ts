/**
 * The analyst's wire protocol: OpenAI-compatible chat completions (OpenAI, Ollama, vLLM,
 * llama.cpp all speak it) asking for a strict-JSON verdict per order, and the validation of the
 * reply. A reply that is not JSON, or JSON of the wrong shape, is a failure — never a guess.
 */
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { FraudstreamError } from '../../../errors.ts';

export interface AnalysisRequest {
  /** order / transaction id; the verdict is matched back by it */
  id: string;
  /** what the analyst sees: the order, its features and the rule hits with reason codes */
  facts: Record<string, unknown>;
}

export const VerdictSchema = Type.Object({
  id: Type.String(),
  verdict: Type.Union([Type.Literal('fraud'), Type.Literal('legitimate'), Type.Literal('review')]),
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  rationale: Type.String({ maxLength: 2000 }),
});
export type Verdict = Static<typeof VerdictSchema>;

const ReplySchema = Type.Object({ results: Type.Array(VerdictSchema) });
const replyCheck = TypeCompiler.Compile(ReplySchema);

export const SYSTEM_PROMPT = [
  'You are a senior fraud analyst for a food-delivery and payments platform.',
  'For each order you receive, decide whether it is fraud, legitimate, or needs human review.',
  'Base the verdict only on the facts given (amounts, velocity, account age, payment method,',
  'location, device, rule hits). Reply with JSON only, no prose, exactly in this shape:',
  '{"results":[{"id":"<order id>","verdict":"fraud"|"legitimate"|"review","confidence":<0..1>,"rationale":"<one or two sentences>"}]}',
  'Return exactly one result per order id you were given.',
].join(' ');

export function buildChatRequest(model: string, batch: AnalysisRequest[]) {
  return {
    model,
    temperature: 0,
    response_format: { type: 'json_object' },
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: JSON.stringify({ orders: batch.map((r) => ({ id: r.id, ...r.facts })) }) },
    ],
  };
}

/** Extracts and validates the verdicts of a chat-completions response body. Throws FS_ANALYST_REPLY. */
export function parseChatReply(body: unknown, expectedIds: string[]): Map<string, Verdict> {
  const content = (body as { choices?: { message?: { content?: unknown } }[] })?.choices?.[0]?.message
    ?.content;
  if (typeof content !== 'string') {
    throw new FraudstreamError(
      'FS_ANALYST_REPLY',
      'chat completion has no choices[0].message.content string',
    );
  }
  let parsed: unknown;
  try {
    // Some servers wrap JSON in a ```json fence even in JSON mode.
    parsed = JSON.parse(content.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, ''));
  } catch {
    throw new FraudstreamError('FS_ANALYST_REPLY', `analyst reply is not JSON: ${content.slice(0, 120)}`);
  }
  if (!replyCheck.Check(parsed)) {
    const e = replyCheck.Errors(parsed).First();
    throw new FraudstreamError(
      'FS_ANALYST_REPLY',
      `analyst reply has the wrong shape at ${e?.path || '/'}: ${e?.message}`,
    );
  }
  const byId = new Map(parsed.results.map((v) => [v.id, v]));
  const missing = expectedIds.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new FraudstreamError('FS_ANALYST_REPLY', `analyst reply lacks verdicts for ${missing.join(', ')}`);
  }
  return byId;
}
