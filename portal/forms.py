"""Form fields that every room and plugin uses the same way."""

import wtforms


class TextAreaField(wtforms.TextAreaField):
    """A textarea whose line breaks count as one character each, as the browser's maxlength counts them.

    Browsers send each line break of a textarea as CRLF (HTML's form submission), so a text the
    browser let through at its maxlength would fail `Length(max=…)` on the server by one character
    per line. The text is kept with LF line breaks.
    """

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data.replace("\r\n", "\n").replace("\r", "\n")
