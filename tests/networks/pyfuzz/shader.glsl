out vec4 fragColor;
void main()
{
    fragColor = texture(sTD2DInputs[0], vUV.st) * vec4(0.5, 1.0, 1.0, 1.0);
}
