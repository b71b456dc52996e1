// Google Sheets for the preview dialer (docs/architecture.md, "Sheets"): what other modules use.
export { LEAD_GONE } from './lead-writer.js';
export { AGENT_OPTIONAL_COLUMNS, AGENT_REQUIRED_COLUMNS, ROUTER_COLUMNS, type Layout, type RouterEntry } from './sheet-layout.js';
export type { SheetRef } from './sheet-reader.js';
export type { AgentSheet } from './sheets-cache.js';
export { type LeadResult, type LeadWrite, type LeadWriteResult, SheetsGateway } from './sheets.gateway.js';
export { SheetsModule } from './sheets.module.js';
