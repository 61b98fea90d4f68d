-- Reserved for issue 19 (monitor provisional hours); replaced by the change that needs it.
SELECT 1;
