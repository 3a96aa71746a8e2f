from django.http import HttpResponse


def detail(request, code):
    return HttpResponse(code)
