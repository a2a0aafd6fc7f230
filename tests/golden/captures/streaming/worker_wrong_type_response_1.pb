
¸
 f47a08f09785476c877cc83b92977e9e“YValueError('output document type OtherDoc does not match the endpoint output type MyDoc')³

ValueErrorKoutput document type OtherDoc does not match the endpoint output type MyDocXValueError: output document type OtherDoc does not match the endpoint output type MyDoc
