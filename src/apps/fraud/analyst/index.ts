export {
  Analyst,
  type AnalystOptions,
  type AnalystOutcome,
  type FallbackReason,
  type SubmitResult,
} from './analyst.ts';
export type { ChatEndpoint } from './client.ts';
export { type AnalysisRequest, buildChatRequest, parseChatReply, type Verdict } from './protocol.ts';
