/** The tokens role: bearer tokens of the management API and the page's sessions (only sha256 hashes are kept). */

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
  /** Revokes a token and ends its page sessions. @returns false when no unrevoked token has this id */
  revokeToken(id: number): Promise<boolean>;

  /** Starts a Prebuilds page session for a token; `idHash` is the hex sha256 of the cookie's random id. */
  createSession(session: PageSession): Promise<void>;
  /** The unrevoked token behind an unexpired session, or null; records the token's time of use. */
  useSession(idHash: string, now: number): Promise<ApiTokenRecord | null>;
  /** Ends a session (sign-out); @returns false when there was none. */
  revokeSession(idHash: string): Promise<boolean>;
}

/** A Prebuilds page session as stored: never the cookie's id itself, only its sha256. */
export interface PageSession {
  idHash: string;
  tokenId: number;
  createdAt: number;
  /** Epoch ms after which the session is refused. */
  expiresAt: number;
}
