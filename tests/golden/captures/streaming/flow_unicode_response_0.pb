
"
 d6752328c9da4bc5a9b9d9dac6b0ea04"-

id

d1-0jid

text
héllo
☃:tok0