
"
 97e084bef39c40cc95786774cddf6e37"(

id

d1-0jid

text

hello:tok0