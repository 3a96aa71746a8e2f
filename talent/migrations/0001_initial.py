# The talent app's first tables: skills, courses, runs, sessions, enrolments, certificates.

import cluster_portal.core.validators
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('partners', '0008_invitation_import'),
        ('workstreams', '0004_join_request_created_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LearningPath',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=80, unique=True)),
                ('name', models.CharField(max_length=200, validators=[cluster_portal.core.validators.validate_single_line])),
                ('summary', models.CharField(blank=True, max_length=300, validators=[cluster_portal.core.validators.validate_single_line])),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Skill',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=60, unique=True)),
                ('name', models.CharField(max_length=120, unique=True, validators=[cluster_portal.core.validators.validate_single_line])),
                ('category', models.CharField(choices=[('process', 'Process technology'), ('quality', 'Quality and compliance'), ('digital', 'Data and digitalisation'), ('engineering', 'Engineering and automation'), ('operations', 'Operations and supply chain'), ('science', 'Science')], max_length=20)),
                ('description', models.TextField(blank=True, max_length=1000)),
            ],
            options={
                'ordering': ['category', 'name'],
            },
        ),
        migrations.CreateModel(
            name='Course',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Such as BCM-101.', max_length=20, unique=True, validators=[cluster_portal.core.validators.validate_single_line])),
                ('slug', models.SlugField(max_length=80, unique=True)),
                ('title', models.CharField(max_length=200, validators=[cluster_portal.core.validators.validate_single_line])),
                ('summary', models.CharField(max_length=300, validators=[cluster_portal.core.validators.validate_single_line])),
                ('description', models.TextField(blank=True, max_length=5000)),
                ('mode', models.CharField(choices=[('classroom', 'Classroom'), ('online', 'Online'), ('blended', 'Blended')], default='classroom', max_length=20)),
                ('hours', models.DecimalField(decimal_places=1, max_digits=5, validators=[django.core.validators.MinValueValidator(0.5)])),
                ('fee', models.DecimalField(decimal_places=2, default=0, max_digits=9, validators=[django.core.validators.MinValueValidator(0)], verbose_name='fee (SGD)')),
                ('certificate_valid_months', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('is_published', models.BooleanField(default=True, help_text='Shown in the public catalogue.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('prerequisites', models.ManyToManyField(blank=True, related_name='required_for', to='talent.course')),
                ('provider', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='courses_provided', to='partners.organisation')),
                ('workstreams', models.ManyToManyField(blank=True, related_name='courses', to='workstreams.workstream')),
            ],
            options={
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='CourseRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_on', models.DateField()),
                ('ends_on', models.DateField()),
                ('venue', models.CharField(blank=True, help_text='Empty for an online run.', max_length=200, validators=[cluster_portal.core.validators.validate_single_line])),
                ('capacity', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)])),
                ('seats_taken', models.PositiveIntegerField(default=0, editable=False)),
                ('enrolment_opens_at', models.DateTimeField()),
                ('enrolment_closes_at', models.DateTimeField()),
                ('promotion', models.CharField(choices=[('confirm', 'Confirm the next in line at once'), ('offer', 'Offer the seat to the next in line for a set time')], default='confirm', max_length=10)),
                ('offer_hours', models.PositiveSmallIntegerField(default=48, help_text='How long an offered seat waits for an answer.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(336)])),
                ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('cancelled', 'Cancelled'), ('completed', 'Completed')], default='scheduled', max_length=20)),
                ('attendance_threshold', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)])),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='runs', to='talent.course')),
                ('trainers', models.ManyToManyField(blank=True, related_name='runs_trained', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['starts_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Enrolment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True)),
                ('status', models.CharField(choices=[('waitlisted', 'Waitlisted'), ('offered', 'Offered a seat'), ('confirmed', 'Confirmed'), ('cancelled', 'Cancelled'), ('completed', 'Completed'), ('no_show', 'No-show')], max_length=20)),
                ('waitlist_position', models.PositiveIntegerField(blank=True, null=True)),
                ('offer_expires_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='enrolments', to=settings.AUTH_USER_MODEL)),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='enrolments', to='talent.courserun')),
                ('sponsor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sponsored_enrolments', to='partners.organisation')),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Certificate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('serial', models.CharField(editable=False, max_length=24, unique=True)),
                ('issued_on', models.DateField()),
                ('expires_on', models.DateField(blank=True, null=True)),
                ('expiry_reminder_sent_on', models.DateField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('revocation_reason', models.TextField(blank=True)),
                ('issued_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to=settings.AUTH_USER_MODEL)),
                ('enrolment', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='certificate', to='talent.enrolment')),
                ('learning_path', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='talent.learningpath')),
            ],
            options={
                'ordering': ['-issued_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='LearningPathStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField()),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='talent.course')),
                ('path', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='talent.learningpath')),
            ],
            options={
                'ordering': ['path', 'order'],
            },
        ),
        migrations.AddField(
            model_name='learningpath',
            name='courses',
            field=models.ManyToManyField(related_name='learning_paths', through='talent.LearningPathStep', to='talent.course'),
        ),
        migrations.CreateModel(
            name='PrerequisiteWaiver',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(max_length=1000)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waivers', to='talent.course')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='prerequisite_waivers', to=settings.AUTH_USER_MODEL)),
                ('waived_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='Session',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(blank=True, max_length=200, validators=[cluster_portal.core.validators.validate_single_line])),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to='talent.courserun')),
            ],
            options={
                'ordering': ['starts_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Attendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('present', models.BooleanField()),
                ('marked_at', models.DateTimeField(auto_now=True)),
                ('marked_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('enrolment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='talent.enrolment')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='talent.session')),
            ],
        ),
        migrations.CreateModel(
            name='CourseSkill',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(choices=[(1, '1 · Awareness'), (2, '2 · Foundation'), (3, '3 · Practitioner'), (4, '4 · Advanced'), (5, '5 · Expert'), (6, '6 · Thought leader')], validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(6)])),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='skills_taught', to='talent.course')),
                ('skill', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='taught_by', to='talent.skill')),
            ],
            options={
                'ordering': ['skill__name'],
            },
        ),
        migrations.CreateModel(
            name='WorkstreamSkillNeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(choices=[(1, '1 · Awareness'), (2, '2 · Foundation'), (3, '3 · Practitioner'), (4, '4 · Advanced'), (5, '5 · Expert'), (6, '6 · Thought leader')], validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(6)])),
                ('skill', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='needed_by', to='talent.skill')),
                ('workstream', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='skill_needs', to='workstreams.workstream')),
            ],
            options={
                'ordering': ['workstream', 'skill__name'],
            },
        ),
        migrations.AddConstraint(
            model_name='courserun',
            constraint=models.CheckConstraint(condition=models.Q(('seats_taken__lte', models.F('capacity'))), name='talent_run_never_overbooked'),
        ),
        migrations.AddConstraint(
            model_name='courserun',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='talent_run_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='courserun',
            constraint=models.CheckConstraint(condition=models.Q(('enrolment_closes_at__gt', models.F('enrolment_opens_at'))), name='talent_enrolment_window_ordered'),
        ),
        migrations.AddIndex(
            model_name='enrolment',
            index=models.Index(fields=['run', 'status', 'waitlist_position'], name='talent_enro_run_id_03e5cd_idx'),
        ),
        migrations.AddConstraint(
            model_name='enrolment',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('waitlisted', 'offered', 'confirmed'))), fields=('person', 'run'), name='talent_one_active_enrolment_per_run'),
        ),
        migrations.AddConstraint(
            model_name='enrolment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'waitlisted')), fields=('run', 'waitlist_position'), name='talent_one_person_per_waitlist_position'),
        ),
        migrations.AddConstraint(
            model_name='enrolment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'waitlisted'), ('waitlist_position__isnull', False)), models.Q(models.Q(('status', 'waitlisted'), _negated=True), ('waitlist_position__isnull', True)), _connector='OR'), name='talent_position_only_on_the_waitlist'),
        ),
        migrations.AddConstraint(
            model_name='enrolment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'offered'), _negated=True), ('offer_expires_at__isnull', False), _connector='OR'), name='talent_offer_has_an_expiry'),
        ),
        migrations.AddConstraint(
            model_name='certificate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('enrolment__isnull', False), ('learning_path__isnull', True)), models.Q(('enrolment__isnull', True), ('learning_path__isnull', False)), _connector='OR'), name='talent_certificate_for_a_run_or_a_path'),
        ),
        migrations.AddConstraint(
            model_name='certificate',
            constraint=models.UniqueConstraint(condition=models.Q(('learning_path__isnull', False)), fields=('person', 'learning_path'), name='talent_one_certificate_per_path'),
        ),
        migrations.AddConstraint(
            model_name='learningpathstep',
            constraint=models.UniqueConstraint(fields=('path', 'course'), name='talent_course_once_per_path'),
        ),
        migrations.AddConstraint(
            model_name='learningpathstep',
            constraint=models.UniqueConstraint(fields=('path', 'order'), name='talent_one_course_per_step'),
        ),
        migrations.AddConstraint(
            model_name='prerequisitewaiver',
            constraint=models.UniqueConstraint(fields=('person', 'course'), name='talent_one_waiver_per_course'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='talent_session_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.UniqueConstraint(fields=('session', 'enrolment'), name='talent_one_mark_per_session'),
        ),
        migrations.AddConstraint(
            model_name='courseskill',
            constraint=models.UniqueConstraint(fields=('course', 'skill'), name='talent_one_level_per_course_skill'),
        ),
        migrations.AddConstraint(
            model_name='workstreamskillneed',
            constraint=models.UniqueConstraint(fields=('workstream', 'skill'), name='talent_one_need_per_skill'),
        ),
    ]
