/**
 * The leak canary: every client secret of a fault scenario (seeded and issued by the Genesys
 * stand-in) comes from a vault, carries a recognisable per-run prefix, and is searched for in every
 * text the run produced: captured log output, EventBridge events, execution input/output/history,
 * error messages and causes, rotation records, request paths and the CLI's own output.
 */
import { randomBytes } from 'node:crypto';

export interface TextSource {
  /** Where the text came from, e.g. `log`, `event:Rotation Started`, `history:<execution>`. */
  readonly where: string;
  readonly text: string;
}

export interface LeakFinding {
  readonly where: string;
  /** What matched, masked: never the secret itself. */
  readonly what: string;
}

export class CanaryVault {
  /** e.g. `CANARY7f3a9c`: random per vault, so it cannot appear by chance. */
  readonly prefix: string;
  readonly #secrets: string[] = [];

  constructor(prefix = `CANARY${randomBytes(3).toString('hex')}`) {
    this.prefix = prefix;
  }

  /** A new canary secret (the stand-in's `secretFactory`). */
  readonly next = (): string => {
    const secret = `${this.prefix}-${randomBytes(24).toString('base64url')}`;
    this.#secrets.push(secret);
    return secret;
  };

  get secrets(): readonly string[] {
    return this.#secrets;
  }
}

/** Encodings under which a secret could leave the process unnoticed by a plain substring search. */
function needles(secret: string, index: number, clientIds: readonly string[]): Array<[string, string]> {
  const label = `canary secret #${index + 1}`;
  const found: Array<[string, string]> = [
    [secret, label],
    [JSON.stringify(secret).slice(1, -1), `${label} (JSON-escaped)`],
    [encodeURIComponent(secret), `${label} (URL-encoded)`],
    [Buffer.from(secret).toString('base64'), `${label} (base64)`],
    // The secret body alone: catches a leak that cut or re-cased the prefix.
    [secret.slice(secret.indexOf('-') + 1), `${label} (body)`],
  ];
  for (const clientId of clientIds) {
    // A logged `Authorization: Basic ...` header.
    found.push([Buffer.from(`${clientId}:${secret}`).toString('base64'), `${label} (Basic auth)`]);
  }
  return found;
}

/**
 * Every place a canary (or the vault's prefix, which only canaries carry) appears. `clientIds` lets
 * it recognise Basic-auth encodings of `clientId:secret`.
 */
export function findLeaks(
  sources: readonly TextSource[],
  vault: Pick<CanaryVault, 'prefix' | 'secrets'>,
  clientIds: readonly string[] = [],
): LeakFinding[] {
  const perSecret = vault.secrets.map((secret, index) => needles(secret, index, clientIds));
  const findings: LeakFinding[] = [];
  for (const source of sources) {
    let found = false;
    for (const forms of perSecret) {
      // One finding per secret and source: the first (most direct) form that matched.
      const match = forms.find(([needle]) => needle !== '' && source.text.includes(needle));
      if (match) {
        found = true;
        findings.push({ where: source.where, what: match[1] });
      }
    }
    if (!found && source.text.toLowerCase().includes(vault.prefix.toLowerCase())) {
      findings.push({ where: source.where, what: 'canary prefix (part of a secret)' });
    }
  }
  return findings;
}
