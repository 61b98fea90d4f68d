-- Reserved migration slot (0020_run_states); its owner replaces this placeholder.
SELECT 1;
