// The sandbox's providers by name: each one's merchant API, verbs and webhooks (src/sandbox/<provider>.ts).
import type { ProviderName } from '../providers/index.js';
import { cryptocloud } from './cryptocloud.js';
import type { SandboxProvider } from './provider.js';
import { uapay } from './uapay.js';
import { utbs } from './utbs.js';

export const sandboxProviders: Readonly<Record<ProviderName, SandboxProvider>> = { cryptocloud, utbs, uapay };
