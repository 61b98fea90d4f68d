-- Reserved migration slot (0016_separation_of_duties); its owner replaces this placeholder.
SELECT 1;
