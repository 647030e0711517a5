export { AssignmentModule } from './assignment.module';
export { AssignmentService } from './assignment.service';
export type { Assignment, AssignableConversation } from './assignment.model';
export { CLAIM_LEASE_MS } from './assignment-claims';
export { rankAgentsForAssignment, type AgentCandidate } from './agent-choice';
