import { InitialSchema1764230400000 } from './1764230400000-InitialSchema';
import { AccountsSessionsAudit1764316800000 } from './1764316800000-AccountsSessionsAudit';
import { TechnologiesMilestones1764403200000 } from './1764403200000-TechnologiesMilestones';
import { BudgetsLedger1764489600000 } from './1764489600000-BudgetsLedger';
import { AuditChainUnique1764576000000 } from './1764576000000-AuditChainUnique';
import { LedgerImports1764662400000 } from './1764662400000-LedgerImports';
import { RecordHistory1764748800000 } from './1764748800000-RecordHistory';
import { LedgerTotals1764835200000 } from './1764835200000-LedgerTotals';
import { LoginThrottle1764921600000 } from './1764921600000-LoginThrottle';
import { Approvals1765008000000 } from './1765008000000-Approvals';
import { Notifications1765094400000 } from './1765094400000-Notifications';
import { LedgerCellsIndex1765180800000 } from './1765180800000-LedgerCellsIndex';

/** Every migration, in order. A new migration is added here as well as in this folder. */
export const MIGRATIONS = [
  InitialSchema1764230400000,
  AccountsSessionsAudit1764316800000,
  TechnologiesMilestones1764403200000,
  BudgetsLedger1764489600000,
  AuditChainUnique1764576000000,
  LedgerImports1764662400000,
  RecordHistory1764748800000,
  LedgerTotals1764835200000,
  LoginThrottle1764921600000,
  Approvals1765008000000,
  Notifications1765094400000,
  LedgerCellsIndex1765180800000,
];
