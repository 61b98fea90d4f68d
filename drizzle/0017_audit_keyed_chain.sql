-- Reserved migration slot (0017_audit_keyed_chain); its owner replaces this placeholder.
SELECT 1;
