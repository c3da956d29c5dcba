import type { Connection } from 'mongoose';
import { accountEntryModel, type AccountEntryModel } from './account-entry';
import { auditEntryModel, type AuditEntryModel } from './audit-entry';
import { cadreModel, type CadreModel } from './cadre';
import { communityModel, type CommunityModel } from './community';
import { courtyardModel, type CourtyardModel } from './courtyard';
import { groupModel, type GroupModel } from './group';
import { inspectionScoreModel, type InspectionScoreModel } from './inspection-score';
import { milestoneModel, type MilestoneModel } from './milestone';
import { photoModel, photoWindowModel, type PhotoModel, type PhotoWindowModel } from './photo';
import { progressReportModel, type ProgressReportModel } from './progress-report';
import { rankingSnapshotModel, type RankingSnapshotModel } from './ranking-snapshot';
import { recordRefModel, type RecordRefModel } from './record-ref';
import { projectModel, type ProjectModel } from './project';
import { rateSlotModel, type RateSlotModel } from './rate-slot';
import { registrationClaimModel, type RegistrationClaimModel } from './registration-claim';
import { residentRequestModel, type ResidentRequestModel } from './resident-request';
import { sequenceModel, type SequenceModel } from './sequence';
import { streetModel, type StreetModel } from './street';
import { visitModel, type VisitModel } from './visit';

/** Every domain model on one connection; what commands, services and jobs receive. */
export interface Models {
  Street: StreetModel;
  Community: CommunityModel;
  Courtyard: CourtyardModel;
  Cadre: CadreModel;
  RegistrationClaim: RegistrationClaimModel;
  Group: GroupModel;
  Project: ProjectModel;
  ProgressReport: ProgressReportModel;
  Visit: VisitModel;
  ResidentRequest: ResidentRequestModel;
  Milestone: MilestoneModel;
  InspectionScore: InspectionScoreModel;
  RankingSnapshot: RankingSnapshotModel;
  AuditEntry: AuditEntryModel;
  Sequence: SequenceModel;
  RateSlot: RateSlotModel;
  RecordRef: RecordRefModel;
  Photo: PhotoModel;
  PhotoWindow: PhotoWindowModel;
  AccountEntry: AccountEntryModel;
}

/** Registers (once per connection) and returns the domain models. */
export function createModels(conn: Connection): Models {
  return {
    Street: streetModel(conn),
    Community: communityModel(conn),
    Courtyard: courtyardModel(conn),
    Cadre: cadreModel(conn),
    RegistrationClaim: registrationClaimModel(conn),
    Group: groupModel(conn),
    Project: projectModel(conn),
    ProgressReport: progressReportModel(conn),
    Visit: visitModel(conn),
    ResidentRequest: residentRequestModel(conn),
    Milestone: milestoneModel(conn),
    InspectionScore: inspectionScoreModel(conn),
    RankingSnapshot: rankingSnapshotModel(conn),
    AuditEntry: auditEntryModel(conn),
    Sequence: sequenceModel(conn),
    RateSlot: rateSlotModel(conn),
    RecordRef: recordRefModel(conn),
    Photo: photoModel(conn),
    PhotoWindow: photoWindowModel(conn),
    AccountEntry: accountEntryModel(conn),
  };
}

/** Builds every index the models declare (what `autoIndex` does lazily); for start-up and tests. */
export async function syncIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.createIndexes();
}

export * from './account-entry';
export * from './audit-entry';
export * from './cadre';
export * from './community';
export * from './courtyard';
export * from './group';
export * from './inspection-score';
export * from './milestone';
export * from './photo';
export * from './progress-report';
export * from './ranking-snapshot';
export * from './record-ref';
export * from './project';
export * from './rate-slot';
export * from './registration-claim';
export * from './resident-request';
export * from './sequence';
export * from './street';
export * from './visit';
