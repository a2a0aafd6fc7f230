
"
 f5505d2956e94adba7b497745f444936"(

id

d1-0jid

text

hello:tok0