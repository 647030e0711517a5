import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { AGENT_ROLES, type AgentRole } from '@ponte/contracts';

/**
 * An agent's login. The gateway owns this collection; the router knows the same person by `agentId` (its roster) and
 * never sees the password hash. `credentialsVersion` is copied into every token issued for the account and bumped on
 * a password, role or disabled change, which revokes all of them at once.
 */
@Schema({ collection: 'gateway_accounts', versionKey: false })
export class Account {
  /** The account id (a UUID), the `sub` of its access tokens. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  tenantId!: string;

  /** The router's agent id; unique per tenant. */
  @Prop({ required: true })
  agentId!: string;

  /** The login, normalized (see normalizeEmail); unique per tenant. */
  @Prop({ required: true })
  email!: string;

  @Prop({ required: true })
  displayName!: string;

  @Prop({ type: String, required: true, enum: AGENT_ROLES })
  role!: AgentRole;

  /** Argon2id PHC string. */
  @Prop({ required: true })
  passwordHash!: string;

  @Prop({ required: true })
  credentialsVersion!: number;

  @Prop({ required: true })
  disabled!: boolean;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;

  @Prop({ type: Date, required: true })
  passwordChangedAt!: Date;
}

export const AccountSchema = SchemaFactory.createForClass(Account);
AccountSchema.index({ tenantId: 1, email: 1 }, { unique: true, name: 'tenant_email' });
AccountSchema.index({ tenantId: 1, agentId: 1 }, { unique: true, name: 'tenant_agent' });
AccountSchema.index({ tenantId: 1, role: 1 }, { name: 'tenant_role' });
