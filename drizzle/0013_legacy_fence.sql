-- Reserved for issue 19 (legacy fence); replaced by the change that needs it.
SELECT 1;
