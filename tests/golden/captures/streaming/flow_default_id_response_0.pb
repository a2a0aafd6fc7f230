
"
 856b67dc7055423d95f92e422e1d9ff5"E
,
id&
 787dfdbc14264843ae5ca783e3173d13jid

text
no id given