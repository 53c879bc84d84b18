import { FraudstreamError } from '../../../errors.ts';

export interface ChatEndpoint {
  /** base URL, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama) */
  url: string;
  model: string;
  apiKey?: string;
}

/** POST {url}/chat/completions. Non-2xx → FS_ANALYST_HTTP (retriable for 429/5xx). */
export async function postChatCompletion(
  endpoint: ChatEndpoint,
  payload: unknown,
  signal: AbortSignal,
): Promise<unknown> {
  const res = await fetch(`${endpoint.url.replace(/\/+$/, '')}/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
    },
    body: JSON.stringify(payload),
    signal,
  });
  const text = await res.text();
  if (!res.ok) {
    throw new FraudstreamError(
      'FS_ANALYST_HTTP',
      `chat completions returned HTTP ${res.status}: ${text.slice(0, 200)}`,
      {
        retriable: res.status === 429 || res.status >= 500,
        details: { status: res.status },
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new FraudstreamError(
      'FS_ANALYST_REPLY',
      `chat completions body is not JSON: ${text.slice(0, 120)}`,
    );
  }
}
