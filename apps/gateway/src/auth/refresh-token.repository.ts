import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isDuplicateKeyError } from '@ponte/persistence';
import type { Model } from 'mongoose';
import { RefreshSession, type SessionRevocationReason, RefreshToken } from './refresh-token.schema';

/** Port of the refresh-token collections. */
export abstract class RefreshTokenRepository {
  abstract createSession(session: RefreshSession): Promise<void>;
  abstract findSession(id: string): Promise<RefreshSession | null>;
  abstract extendSession(id: string, expiresAt: Date): Promise<void>;
  /** Marks the session revoked (the first reason stays). */
  abstract revokeSession(id: string, reason: SessionRevocationReason, at: Date): Promise<void>;
  /** 'duplicate' when the token it rotates from already has a successor. */
  abstract insertToken(token: RefreshToken): Promise<'inserted' | 'duplicate'>;
  abstract findToken(id: string): Promise<RefreshToken | null>;
  /** Removes expired tokens and sessions (FerretDB has no TTL indexes); returns how many documents went. */
  abstract deleteExpired(now: Date): Promise<number>;
}

@Injectable()
export class MongoRefreshTokenRepository extends RefreshTokenRepository implements OnModuleInit {
  constructor(
    @InjectModel(RefreshSession.name) private readonly sessions: Model<RefreshSession>,
    @InjectModel(RefreshToken.name) private readonly tokens: Model<RefreshToken>,
  ) {
    super();
  }

  /** The unique index on `rotatedFrom` is what makes a token single-use, so it must exist before any refresh. */
  async onModuleInit(): Promise<void> {
    await Promise.all([this.sessions.init(), this.tokens.init()]);
  }

  async createSession(session: RefreshSession): Promise<void> {
    await this.sessions.create(session);
  }

  findSession(id: string): Promise<RefreshSession | null> {
    return this.sessions.findById(id).lean<RefreshSession>().exec();
  }

  async extendSession(id: string, expiresAt: Date): Promise<void> {
    await this.sessions.updateOne({ _id: id, expiresAt: { $lt: expiresAt } }, { $set: { expiresAt } }).exec();
  }

  async revokeSession(id: string, reason: SessionRevocationReason, at: Date): Promise<void> {
    await this.sessions
      .updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: at, revokedReason: reason } })
      .exec();
  }

  async insertToken(token: RefreshToken): Promise<'inserted' | 'duplicate'> {
    try {
      await this.tokens.create(token);
      return 'inserted';
    } catch (error) {
      if (isDuplicateKeyError(error)) return 'duplicate';
      throw error;
    }
  }

  findToken(id: string): Promise<RefreshToken | null> {
    return this.tokens.findById(id).lean<RefreshToken>().exec();
  }

  async deleteExpired(now: Date): Promise<number> {
    const [tokens, sessions] = await Promise.all([
      this.tokens.deleteMany({ expiresAt: { $lt: now } }).exec(),
      this.sessions.deleteMany({ expiresAt: { $lt: now } }).exec(),
    ]);
    return tokens.deletedCount + sessions.deletedCount;
  }
}
