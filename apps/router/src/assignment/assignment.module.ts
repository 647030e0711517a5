import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues';
import { AssignmentClaims } from './assignment-claims';
import { AssignmentService } from './assignment.service';
import { WaitingLine } from './waiting-line';

/**
 * Assignment of conversations to agents. It uses the app's MongoDB connection (PersistenceModule, imported once by
 * the app): agents and their capacity through QueuesModule, its own `assignment_claims`, and the `conversations`
 * collection, which belongs to the conversation store, through the few fields of AssignableConversation.
 */
@Module({
  imports: [QueuesModule],
  providers: [WaitingLine, AssignmentClaims, AssignmentService],
  exports: [AssignmentService],
})
export class AssignmentModule {}
