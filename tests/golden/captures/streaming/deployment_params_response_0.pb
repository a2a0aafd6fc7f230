
"
 8945707d2cba49f5b4d268371f138c4e" 

id

d1-0jid

text
{}