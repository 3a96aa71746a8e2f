from django.http import Http404


def notification_list(request):
    raise Http404


mark_read = notification_list
