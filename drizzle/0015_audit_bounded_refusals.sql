-- Reserved migration slot (0015_audit_bounded_refusals); its owner replaces this placeholder.
SELECT 1;
