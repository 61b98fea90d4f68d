-- Reserved migration slot (0021_throttle); its owner replaces this placeholder.
SELECT 1;
