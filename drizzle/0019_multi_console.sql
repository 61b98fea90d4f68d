-- Reserved migration slot (0019_multi_console); its owner replaces this placeholder.
SELECT 1;
