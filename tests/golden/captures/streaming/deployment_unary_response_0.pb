
«
 0123456789abcdef0123456789abcdef(ValueError('endpoint must be generator')Q

ValueErrorendpoint must be generator'ValueError: endpoint must be generator
/unary
gatewayşÙØ¨‰ËÌ"!

id
d1jid

text
hello