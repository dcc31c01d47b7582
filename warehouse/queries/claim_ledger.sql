SELECT claim, year, supports, contradicts, mixed, related FROM claim_ledger;
