-- Reserved migration slot (0018_token_hygiene); its owner replaces this placeholder.
SELECT 1;
