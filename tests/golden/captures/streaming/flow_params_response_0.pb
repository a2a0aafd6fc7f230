
"
 59848e7df7f6410b9684d345f38f1e71" 

id

d1-0jid

text
{}