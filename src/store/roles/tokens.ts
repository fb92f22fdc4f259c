/** The tokens role: bearer tokens of the management API (only their sha256 is kept). */

/** Who may use a bearer token: installation ids, or `*` for every installation (admins). */
export type TokenScope = number | '*';

/** A management API token as stored: only the sha256 of the secret is kept. */
export interface ApiTokenRecord {
  id: number;
  name: string;
  /** Hex sha256 of the token. */
  tokenHash: string;
  scopes: TokenScope[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** The tokens role of the store. */
export interface TokenStore {
  /** Stores a new token (its hash, never the secret). */
  createToken(token: Pick<ApiTokenRecord, 'name' | 'tokenHash' | 'scopes'>): Promise<ApiTokenRecord>;
  /** The unrevoked token with this hash, or null; records the time of use. */
  useToken(tokenHash: string): Promise<ApiTokenRecord | null>;
  /** Every token, revoked ones included, oldest first. */
  listTokens(): Promise<ApiTokenRecord[]>;
  /** @returns false when no unrevoked token has this id */
  revokeToken(id: number): Promise<boolean>;
}
