import type { IdpLauncher } from './idp-launcher.ts';

/** What the real-Logto target needs; the CLI fills it from flags and environment variables. */
export interface LogtoTargetOptions {
  /** Logto's endpoint, e.g. http://localhost:3001 or https://<tenant>.logto.app */
  endpoint: string;
  m2mAppId: string;
  m2mAppSecret: string;
  /** Management API resource indicator: https://default.logto.app/api (OSS) or https://<tenant-id>.logto.app/api. */
  resource: string;
  /** The URL Logto reaches the mock IdP at (a tenant needs a public one; containers the host gateway). */
  idpPublicUrl?: string;
  /** Where each scenario's mock IdP runs (default: in this process, at idpPublicUrl when given). */
  idpLauncher?: IdpLauncher;
  /** Leave the created connector, user and app for debugging. */
  keep: boolean;
  /** Per call to Logto's APIs (default DEFAULT_API_TIMEOUT_MS, 30 s). */
  apiTimeoutMs?: number;
  log?: (line: string) => void;
}
