import { maskText } from '../../lib/mask.ts';
import { UserError } from '../../lib/user-error.ts';

/**
 * An answer at a Logto endpoint that is not Logto's API: a proxy's login page, a redirect, broken
 * or unexpected JSON, or no answer at all. It is the endpoint's fault, not the connector's, so it is
 * a UserError (one line, exit 2) that says what answered and what to check; `problem` says which,
 * for code that must tell them apart.
 */
export type AnswerProblem = 'timeout' | 'unreachable' | 'redirect' | 'html' | 'not-json' | 'unexpected-shape';

/** What answered, as far as it matters to the one who must fix the endpoint. */
export interface Answer {
  status: number;
  contentType: string;
  /** The first bytes of the body, secrets masked, quoted for one line. */
  firstBytes: string;
  /** A redirect's target, masked. */
  location?: string;
}

export interface EndpointAnswerInput {
  problem: AnswerProblem;
  /** `GET http://localhost:3001/api/connectors` */
  request: string;
  endpoint: string;
  answer?: Answer;
  /** Why the body does not do: the JSON error, the first mismatch of the expected shape, the timeout, the network error. */
  detail?: string;
  /** The option or setting that named the endpoint (default --endpoint). */
  field?: string;
}

const FIRST_BYTES = 120;

/** The body's start as the error quotes it: masked whole first, so no cut can leave half a secret readable. */
export function firstBytes(body: string): string {
  const masked = maskText(body.slice(0, 64 * 1024))
    .replace(/\s+/g, ' ')
    .trim();
  return masked.length > FIRST_BYTES ? `${JSON.stringify(masked.slice(0, FIRST_BYTES))}…` : JSON.stringify(masked);
}

const answered = ({ status, contentType, firstBytes: bytes }: Answer) =>
  `${status} ${contentType || 'without a content type'}${bytes === '""' ? ', empty' : ` ${bytes}`}`;

function sentence({ problem, request, endpoint, answer, detail }: EndpointAnswerInput): string {
  const root = `is ${endpoint} Logto's root URL (no path)`;
  switch (problem) {
    case 'timeout':
      return `${request} did not answer within ${detail}: is Logto up at ${endpoint}? (GET ${endpoint}/api/status answers 204 when it is)`;
    case 'unreachable':
      return `cannot reach Logto at ${endpoint}${detail ? ` (${detail})` : ''}: is it running? (GET ${endpoint}/api/status answers 204 when it is)`;
    case 'redirect':
      return (
        `${request} answered ${answer!.status}, a redirect to ${answer!.location || '(no Location)'}: ${root}, reachable without signing in? ` +
        'A redirect to a login page is a proxy or SSO gate in front of it'
      );
    case 'html':
      return `${request} answered ${answered(answer!)}: an HTML page, not Logto's API: ${root}? A login page of a proxy in front of it?`;
    case 'not-json':
      return `${request} answered ${answered(answer!)}: not JSON${detail ? ` (${detail})` : ''}: ${root}, with nothing in between that rewrites answers?`;
    case 'unexpected-shape':
      return `${request} answered ${answered(answer!)}: ${detail}: ${root}, and a Logto with this API?`;
  }
}

export class EndpointAnswerError extends UserError {
  readonly problem: AnswerProblem;
  readonly request: string;
  readonly answer: Answer | undefined;

  constructor(input: EndpointAnswerInput) {
    super({ field: input.field ?? '--endpoint', message: sentence(input) });
    this.name = 'EndpointAnswerError';
    this.problem = input.problem;
    this.request = input.request;
    this.answer = input.answer;
  }
}
