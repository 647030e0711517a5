import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const SESSION_REVOCATION_REASONS = ['logout', 'reuse', 'credentials-changed'] as const;
export type SessionRevocationReason = (typeof SESSION_REVOCATION_REASONS)[number];

/**
 * One login: the family of refresh tokens that descend from it. Revoking it ends every token of the family, the
 * current one included, which is what reuse detection needs.
 */
@Schema({ collection: 'gateway_sessions', versionKey: false })
export class RefreshSession {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  @Prop({ required: true })
  accountId!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  /** When the newest token of the family expires; the sweeper removes the session after that. */
  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  @Prop({ type: Date, default: null })
  revokedAt!: Date | null;

  @Prop({ type: String, default: null, enum: [...SESSION_REVOCATION_REASONS, null] })
  revokedReason!: SessionRevocationReason | null;
}

export const RefreshSessionSchema = SchemaFactory.createForClass(RefreshSession);
RefreshSessionSchema.index({ expiresAt: 1 }, { name: 'expiry' });

/**
 * A refresh token, stored as the SHA-256 of its value (the value itself is 256 random bits, so a leaked collection
 * gives nothing to replay). `rotatedFrom` is unique: a token can be exchanged once, because the second exchange's
 * insert of a successor hits the index — an insert under a unique index is the one write FerretDB 1.24 makes atomic.
 */
@Schema({ collection: 'gateway_refresh_tokens', versionKey: false })
export class RefreshToken {
  /** SHA-256 (hex) of the token. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  sessionId!: string;

  /** The token this one replaced, or `session:<sessionId>` for the first token of a session. */
  @Prop({ required: true })
  rotatedFrom!: string;

  @Prop({ required: true })
  tenantId!: string;

  @Prop({ required: true })
  accountId!: string;

  /** The account's credentials version when the token was issued; a later version makes the token worthless. */
  @Prop({ required: true })
  credentialsVersion!: number;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const RefreshTokenSchema = SchemaFactory.createForClass(RefreshToken);
RefreshTokenSchema.index({ rotatedFrom: 1 }, { unique: true, name: 'rotated_once' });
RefreshTokenSchema.index({ expiresAt: 1 }, { name: 'expiry' });
