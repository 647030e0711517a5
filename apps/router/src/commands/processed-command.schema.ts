import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Emission } from '../events/conversation-events.publisher';

/**
 * A command that took effect, with what it emitted: a redelivered command (same commandId) changes nothing and
 * re-emits exactly these events, with the same envelope ids.
 */
@Schema({ collection: 'processed_commands', versionKey: false })
export class ProcessedCommand {
  /** `${tenantId}|${commandId}` */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  kind!: string;

  @Prop({ type: Object, required: true })
  emission!: Emission;

  @Prop({ type: Date, required: true })
  processedAt!: Date;
}

export const ProcessedCommandSchema = SchemaFactory.createForClass(ProcessedCommand);
